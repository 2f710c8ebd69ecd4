/* specport test fixture: a one-function library */
#include "greet.h"

const char *greet_word(void)
{
    return "hello from libgreet";
}
