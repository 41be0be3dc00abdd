"""A nameko ``timer`` whose interval is a setting of the process's configuration, so that
tests and operators can change it without changing code."""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """``@configured_timer("SETTING", default)``: fires on start, then every
    ``config[SETTING]`` seconds (``default`` when the setting is absent)."""

    def __init__(self, setting, default, **kwargs):
        super().__init__(interval=default, eager=True, **kwargs)
        self.setting = setting
        self.default = default

    def setup(self):
        super().setup()
        self.interval = float(self.container.config.get(self.setting, self.default))


configured_timer = ConfiguredTimer.decorator
