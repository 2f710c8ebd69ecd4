#include <stdio.h>
#include <spfoo.h>

int main(void) {
    printf("spfoo %s says %d\n", spfoo_version(), spfoo_answer());
    return 0;
}
