"""Registration: producers, products and each product's current stage in the OCOP cycle."""
