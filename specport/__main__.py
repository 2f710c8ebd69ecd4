from specport.cli import main

main()
