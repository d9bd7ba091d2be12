from loopprep.cli import main

main()
