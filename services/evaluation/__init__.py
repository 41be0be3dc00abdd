"""Evaluation: rounds, councils and score sheets against the national criteria; points to
stars; forwarding to the next level."""
