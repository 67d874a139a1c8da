"""Standards in and out: CTDL, Badgr, Open Badges 3.0 / CLR 2.0, ELM, ESCO, O*NET."""
