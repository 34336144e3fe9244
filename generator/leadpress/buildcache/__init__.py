"""Build speed: work spread over a process pool, and results kept between builds.

Everything here is a plain function over plain data; what is cached is keyed by hashes of
all its inputs, so a build with the cache gives the same bytes as one without.
"""
