from gaswarden.cli.main import app

app()
