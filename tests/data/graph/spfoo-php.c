/* a PHP extension with one function, spfoo_answer(), answered by libspfoo */
#include "php.h"
#include <spfoo.h>

PHP_FUNCTION(spfoo_answer) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(spfoo_answer());
}

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_spfoo_answer, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

static const zend_function_entry spfoo_functions[] = {
    PHP_FE(spfoo_answer, arginfo_spfoo_answer)
    PHP_FE_END
};

zend_module_entry spfoo_module_entry = {
    STANDARD_MODULE_HEADER, "spfoo", spfoo_functions,
    NULL, NULL, NULL, NULL, NULL, "1.0", STANDARD_MODULE_PROPERTIES
};

ZEND_GET_MODULE(spfoo)
