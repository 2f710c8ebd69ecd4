#ifndef SPFOO_H
#define SPFOO_H
/* the answer, computed by the library so that callers must link it */
int spfoo_answer(void);
const char *spfoo_version(void);
#endif
