<?php
// php-stack's page: counts its visits in the data volume and reads its settings with yaml.
header('Content-Type: text/plain');
$data = getenv('PHP_STACK_DATA') ?: '/data/www';
$visits = (int) @file_get_contents("$data/visits") + 1;
file_put_contents("$data/visits", (string) $visits);
$settings = yaml_parse("greeting: php-stack ok\n");
echo $settings['greeting'], "\n";
echo 'visits: ', $visits, "\n";
echo 'served by ', PHP_SAPI, ' (PHP ', PHP_VERSION, ")\n";
