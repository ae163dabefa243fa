"""Investment domain: what was put into Cloudwatt and Numergy and what came back.

Frames in, frames out; imports the core and the data types, never the market domain.

    inputs       the dataset -> every frame below, each computed once (``investment_data``)
    accounts     revenue and cumulative losses by year, as the sources give them
    holdings     who held what: stakes, capital, the State's money and its two bases
    dates        creation and exit dates, last loss rates, nil equity at the exit
    model        the returns model of one investor (inputs, ranges, sources)
    assumptions  every input and named assumption, for readers
    returns      results per exit scenario, flows, NPV over rates, book value at the exit
    plan         revenue against the launch plans, losses per euro of revenue
    later        after the buyouts, OVHcloud, jobs
"""
