class UserFacingError(Exception):
    """A refused action, with a message written for the person who asked for it."""
