<?php
// The example application: parses a YAML document (php-pecl-yaml) and round-trips it through
// igbinary (from php-base), then says which versions did it.
header('Content-Type: text/plain');
$doc = yaml_parse("answer: 42\nname: php-app\n");
$back = igbinary_unserialize(igbinary_serialize($doc));
echo $back === $doc && $doc['answer'] === 42 ? "php-app ok\n" : "php-app BROKEN\n";
echo 'PHP ', PHP_VERSION, ', yaml ', phpversion('yaml'), ', igbinary ', phpversion('igbinary'), "\n";
