"""Which operations answer with more than a schema-built value, keyed by qualified method name.

An operation missing here still answers: the generic core builds its response from the spec
(and a stream from its event schema). Names follow the spec's `x-cohere-dyn` naming, so a spec
that renames a method must rename its entry here too.
"""

from __future__ import annotations

from typing import Mapping

from . import _batches, _catalogue, _chat, _connectors, _datasets, _finetuning, _language, _reading, _retrieval
from ._exchange import Behaviour

__all__ = ["BEHAVIOURS"]

BEHAVIOURS: Mapping[str, Behaviour] = {
    # chat and text
    "chat": _chat.chat,
    "chat_stream": _chat.chat_stream,
    "v2.chat": _chat.chat_v2,
    "v2.chat_stream": _chat.chat_v2_stream,
    "generate": _language.generate,
    "generate_stream": _language.generate_stream,
    "summarize": _language.summarize,
    "classify": _language.classify,
    "tokenize": _language.tokenize,
    "detokenize": _language.detokenize,
    "check_api_key": _language.check_api_key,
    # embeddings and ranking
    "embed": _retrieval.embed,
    "v2.embed": _retrieval.embed_v2,
    "rerank": _retrieval.rerank,
    "v2.rerank": _retrieval.rerank_v2,
    # media read as text
    "v2.parse": _reading.parse,
    "audio.transcriptions.create": _reading.transcribe,
    # stored resources
    "datasets.create": _datasets.datasets_create,
    "datasets.list": _datasets.datasets_list,
    "datasets.get": _datasets.datasets_get,
    "datasets.delete": _datasets.datasets_delete,
    "datasets.get_usage": _datasets.datasets_get_usage,
    "embed_jobs.create": _datasets.embed_jobs_create,
    "embed_jobs.list": _datasets.embed_jobs_list,
    "embed_jobs.get": _datasets.embed_jobs_get,
    "embed_jobs.cancel": _datasets.embed_jobs_cancel,
    "batches.create": _batches.batches_create,
    "batches.list": _batches.batches_list,
    "batches.retrieve": _batches.batches_retrieve,
    "batches.cancel": _batches.batches_cancel,
    "connectors.create": _connectors.connectors_create,
    "connectors.list": _connectors.connectors_list,
    "connectors.get": _connectors.connectors_get,
    "connectors.update": _connectors.connectors_update,
    "connectors.delete": _connectors.connectors_delete,
    "connectors.o_auth_authorize": _connectors.connectors_o_auth_authorize,
    "finetuning.create_finetuned_model": _finetuning.finetuned_models_create,
    "finetuning.list_finetuned_models": _finetuning.finetuned_models_list,
    "finetuning.get_finetuned_model": _finetuning.finetuned_models_get,
    "finetuning.update_finetuned_model": _finetuning.finetuned_models_update,
    "finetuning.delete_finetuned_model": _finetuning.finetuned_models_delete,
    "finetuning.list_events": _finetuning.finetuned_models_events,
    "finetuning.list_training_step_metrics": _finetuning.finetuned_models_metrics,
    "models.list": _catalogue.models_list,
    "models.get": _catalogue.models_get,
}
