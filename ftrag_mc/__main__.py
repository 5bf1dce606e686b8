from ftrag_mc.cli import main

main(prog_name="ftrag-mc")
