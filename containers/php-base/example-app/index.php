<?php
// The example application: lists the PHP extensions loaded in this image.
header('Content-Type: text/plain');
foreach (get_loaded_extensions() as $extension) {
    echo $extension, "\n";
}
