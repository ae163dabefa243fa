"""Investment domain: what was put into Cloudwatt and Numergy and what came back.

Frames in, frames out; imports the core and the data types, never the market domain.

    model  data/ -> model inputs: capital, stakes, the State's money, exit values, assumptions
    plan   revenue against the launch plans, losses per euro of revenue
"""
