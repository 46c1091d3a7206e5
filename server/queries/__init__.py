"""Read-side queries over the read models, shaped as the API contract answers them.

plans (plans and tavoli, who may see a tavolo), people, objectives, proposals, meetings (the
sessions of the tavoli), history (the event timeline: filters, visibility, pages).
"""
