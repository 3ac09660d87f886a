from statuspage.cli import main

main()
