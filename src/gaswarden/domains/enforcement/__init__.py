"""Law enforcement (执法): cases from opening to closing, and closed illegal sites watched."""
