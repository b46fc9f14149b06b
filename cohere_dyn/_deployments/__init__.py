"""Cloud deployments of Cohere's models (Amazon Bedrock, Amazon SageMaker, OCI Generative AI).

Which methods a service serves and how each is mapped is read from the spec's
`x-cohere-dyn-deployments` block (`_routes`); the clients (`_aws`, `_oci`) plug a deployment
(what doesn't depend on the cloud: `_base`) into the core's seams: the finished request (`_call._caller.build_request`), the transport (`_signing`
wraps it), answer and error decoding (`_errors`; OCI's answer maps, `_mapping`), and stream
decoding (`_eventstream`; OCI's `_mappedstream`).
"""
