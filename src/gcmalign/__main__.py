from gcmalign.cli import main

main()
