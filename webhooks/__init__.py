"""HTTP receivers for the outside world (Facebook, carriers) and the durable inbox behind them.

A request is answered 2xx only once its raw body is committed; everything after that happens
in the inbox processor, so a crash never loses what a platform was told we accepted.
"""
