"""One module per `cta-desktop` subcommand: `configure(parser)` and `run(args) -> exit code`."""
