<?php
// a PHP library that needs the spfoo extension
namespace Spbar;

function answer(): string
{
    return 'spbar: ' . \spfoo_answer();
}
