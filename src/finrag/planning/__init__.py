"""Planners: turn a question and its evidence into a DSL program.

=========================  ===============================================================
module                     what it holds
=========================  ===============================================================
``base``                   the contract: PlanRequest, Plan, Planner, PlanningFailedError
``evidence``               build_context (execution context) and render_evidence (prompts)
``prompts``                versioned prompt templates (``v1.toml``, ``v2.toml``) and their
                           registry (version id, sha256 of the file)
``llm``                    LLMPlanner: generate, validate, repair loop; LLMSettings
``openai_chat``            ChatModel backends: any OpenAI-compatible chat endpoint
``validation``             a program checked against the evidence (refs, unit guard,
                           grounded literals)
``pricing``                token prices and call cost
``wrappers``               FallbackPlanner
``registry``               planners by name (``offline``, ``scripted``, ``openai:<model>``,
                           ``openai-compatible:<model>@<base_url>``)
``offline``                the embedded planner (no network)
=========================  ===============================================================

Other stages import :mod:`finrag.planning.base` (and ``evidence``); this package module
imports nothing so that importing the contract stays cheap.
"""
