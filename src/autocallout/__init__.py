"""Local tooling for the auto-callout task function: the fake CCC and the ``autocallout`` CLI.

Nothing here is deployed: the cloud package is ``functions/describe_auto_callout_task`` alone.
"""
