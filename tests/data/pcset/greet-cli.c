/* specport test fixture: a program that links libgreet */
#include <stdio.h>
#include <greet.h>

int main(void)
{
    printf("greet-cli: %s\n", greet_word());
    return 0;
}
