"""Benchmark scripts: each prints its figures beside their ceilings (``bench.table``)."""
import warnings

# eventlet announces its deprecation when the services' modules import it: noise here.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
