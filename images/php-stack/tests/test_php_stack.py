"""Run against the built php-stack image (specport images test php-stack)."""


def test_nginx_hands_php_to_fpm_and_data_lands_in_the_volume(image):  # type: ignore[no-untyped-def]
    first = image.http_get("/")
    second = image.http_get("/")
    assert first.status == 200 and "php-stack ok" in first.body
    assert "served by fpm-fcgi" in first.body
    assert "visits: 2" in second.body or "visits: 3" in second.body
    counted = image.run(["cat", "/data/www/visits"], user="root").output.strip()
    assert int(counted) >= 2


def test_configuration_is_in_the_volume(image):  # type: ignore[no-untyped-def]
    listed = image.run(["ls", "/data/config"], user="root").output.split()
    assert {"nginx.conf", "fpm-pool.conf", "php.ini"} <= set(listed)
