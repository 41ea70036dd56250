"""The performance benchmark: a province-sized data seeder (seed.py) and its runner."""
