"""sendcheck: statutory EHC timescale checks for English local authorities' SEND exports."""

__version__ = "0.1.0"
