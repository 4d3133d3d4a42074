from fusionops_cli.cli import main

main()
