#include "spfoo.h"

int spfoo_answer(void) { return 6 * 7; }
const char *spfoo_version(void) { return "1.0"; }
