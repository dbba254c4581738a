"""The root of every error SafeVoice raises on purpose."""


class SafeVoiceError(Exception):
    """Base class: anything raised as this is meant to be shown to a person, kindly."""


class ConfigError(SafeVoiceError):
    """The configuration file or environment holds a value SafeVoice cannot use."""


class FlowError(SafeVoiceError):
    """A flow file cannot be loaded or is not valid."""


class StorageError(SafeVoiceError):
    """A store (Redis, SQL) could not be reached or refused an operation."""
