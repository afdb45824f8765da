"""The hub: many authorities' run datasets read together (`sendcheck hub`), never all in memory."""
