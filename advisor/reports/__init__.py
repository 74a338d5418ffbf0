"""The PDF roadmap report: plain data in, a tagged PDF/UA-1 document out."""
