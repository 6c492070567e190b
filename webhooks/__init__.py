"""HTTP receivers for the outside world (Facebook, carriers, the bank).

A request is answered 2xx only once its raw body is committed to the inbox
(`kernel.inbox`); everything after that happens in the inbox processor, so a crash never loses
what a platform was told we accepted.
"""
