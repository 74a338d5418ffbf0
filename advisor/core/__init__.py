"""PURE core: plain data in, plain data out; no Flask, no SQLAlchemy.

``rules`` (conditions and who carries a task), ``scoring`` (catalogue + answers -> scores,
strengths, gaps), ``roadmap`` (scores + profile + priorities -> phased roadmap),
``consensus`` (the spread of a guided session's answers and the median rule) and
``advised`` (the advisor's measures applied to a roadmap). Property-tested with hypothesis.
"""
