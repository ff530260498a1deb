"""Initial store schema: tenants, documents, chunks (tsvector + pgvector), embedding cache.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

#: MiniLM-L6's dimension gets its HNSW index up front; other dimensions get one on first write.
DEFAULT_DIM = 384


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        """
        CREATE TABLE store_tenants (
            id text PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE store_documents (
            tenant text NOT NULL REFERENCES store_tenants (id),
            id text NOT NULL,
            sha256 text NOT NULL,
            source text NOT NULL,
            format text NOT NULL,
            title text NOT NULL,
            pages integer NOT NULL,
            tables integer NOT NULL,
            chunks integer NOT NULL,
            embedder text NOT NULL,
            dim integer NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            body jsonb NOT NULL,
            PRIMARY KEY (tenant, id)
        )
        """
    )
    op.execute("CREATE INDEX store_documents_tenant_sha ON store_documents (tenant, sha256)")
    # The vector column has no fixed dimension so one table holds several embedders; HNSW
    # needs one, so each dimension gets a partial expression index (see pgvector's README).
    op.execute(
        """
        CREATE TABLE store_chunks (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant text NOT NULL,
            doc_id text NOT NULL,
            id text NOT NULL,
            ordinal integer NOT NULL,
            text text NOT NULL,
            body jsonb NOT NULL,
            dim integer NOT NULL,
            embedding vector NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
            UNIQUE (tenant, id),
            FOREIGN KEY (tenant, doc_id) REFERENCES store_documents (tenant, id)
                ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX store_chunks_tenant_doc ON store_chunks (tenant, doc_id, ordinal)")
    op.execute("CREATE INDEX store_chunks_tsv ON store_chunks USING gin (tsv)")
    op.execute(
        f"CREATE INDEX store_chunks_hnsw_{DEFAULT_DIM} ON store_chunks USING hnsw "
        f"((embedding::vector({DEFAULT_DIM})) vector_cosine_ops) WHERE dim = {DEFAULT_DIM}"
    )
    op.execute(
        """
        CREATE TABLE store_embedding_cache (
            model text NOT NULL,
            key text NOT NULL,
            dim integer NOT NULL,
            vector bytea NOT NULL,
            PRIMARY KEY (model, key)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE store_embedding_cache")
    op.execute("DROP TABLE store_chunks")
    op.execute("DROP TABLE store_documents")
    op.execute("DROP TABLE store_tenants")
