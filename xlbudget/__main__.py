from xlbudget.cli import main

main()
