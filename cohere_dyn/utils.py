"""The official SDK's `cohere.utils`: `merge_embed_responses`, as its batched embed merges answers.

    from cohere_dyn.utils import merge_embed_responses
    merged = merge_embed_responses([first_answer, second_answer])

The merge is the spec's (`x-cohere-dyn` `batch.merge` of v1 and v2 embed, the rule batched calls
use): embeddings, texts and images joined in order (by type, for embeddings by type), billed units
added up, warnings without repeats, ids joined with ", ". The dataset helpers of the SDK's
`client.utils` are `Client.utils` here.
"""

from ._workflows._batching import merge_embed_responses

__all__ = ["merge_embed_responses"]
