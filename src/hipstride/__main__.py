from hipstride.cli import main

main()
