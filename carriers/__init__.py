"""Partner carriers (GHN, GHTK, Viettel Post, Ahamove) behind one `Carrier` protocol."""
