"""Storage: vector-index memory (Faiss per-vector costs), feature stores and logs."""

from __future__ import annotations

import math

from loopprep.engines.estimate.steps import BadInput, Estimate, Work, bytes_text, num, positive, whole

INDEX_KINDS = ("flat", "hnsw", "ivf-flat", "ivf-pq")
ID_BYTES = 8  # Faiss stores a 64-bit id per vector in each inverted list


def vector_index(
    *,
    vectors: float,
    dim: int,
    kind: str = "flat",
    hnsw_m: int = 32,
    pq_bytes: int = 64,
    nlist: int = 0,
    replicas: int = 1,
) -> Estimate:
    """Index memory from Faiss's per-vector costs (the Faiss wiki, "Guidelines to choose an index"):

    * Flat: 4 x d bytes (float32);
    * HNSW (HNSWFlat): 4 x d + 2 x M x 4 bytes (the vector plus ~2M 32-bit links on level 0);
    * IVF-Flat: 4 x d + 8 bytes (the vector plus its id), plus nlist x d x 4 for the centroids;
    * IVF-PQ: code bytes (M sub-quantisers x 8 bits = ``pq_bytes``) + 8 bytes of id, plus centroids.
    """
    positive("vectors", vectors)
    whole("dim", dim)
    whole("replicas", replicas)
    if kind not in INDEX_KINDS:
        raise BadInput("kind", f"'kind' must be one of {', '.join(INDEX_KINDS)} (got {kind!r}).")
    w = Work(
        {
            "vectors": vectors,
            "dim": dim,
            "kind": kind,
            "hnsw_m": hnsw_m,
            "pq_bytes": pq_bytes,
            "nlist": nlist,
            "replicas": replicas,
        }
    )
    raw = w.step(
        "Raw float32 vectors", f"{num(vectors)} x {dim} x 4 bytes", vectors * dim * 4, "bytes", name="raw_bytes"
    )
    centroids = 0.0
    if kind == "flat":
        per = w.step("Bytes per vector (Flat)", f"4 x {dim}", 4 * dim, "bytes/vector")
    elif kind == "hnsw":
        whole("hnsw_m", hnsw_m, minimum=2)
        per = w.step(
            "Bytes per vector (HNSW)", f"4 x {dim} + 2 x {hnsw_m} x 4", 4 * dim + 2 * hnsw_m * 4, "bytes/vector"
        )
    else:
        if nlist == 0:
            nlist = max(1, int(4 * math.sqrt(vectors)))
            w.warnings.append(f"nlist not given: using 4 x √N ≈ {num(nlist)} lists (a common Faiss starting point).")
            w.inputs["nlist"] = nlist
        whole("nlist", nlist)
        if nlist > vectors:
            # Each list's centroid is trained on the vectors themselves (k-means): more lists than
            # vectors leaves empty lists whose centroids would dwarf the data.
            raise BadInput(
                "nlist",
                f"nlist ({num(nlist)}) is more than the number of vectors ({num(vectors)}): every list needs "
                "vectors to train its centroid.",
                f"Use at most {num(vectors)} lists; 4 x √N is a common start (or leave nlist at 0).",
            )
        if vectors < 39 * nlist:
            w.warnings.append(
                f"Only {num(vectors / nlist)} vectors per list: Faiss wants at least 39 per list to train the "
                "centroids; use fewer lists."
            )
        if kind == "ivf-flat":
            per = w.step(
                "Bytes per vector (IVF-Flat)", f"4 x {dim} + {ID_BYTES} id", 4 * dim + ID_BYTES, "bytes/vector"
            )
        else:
            whole("pq_bytes", pq_bytes)
            if dim % pq_bytes:
                raise BadInput(
                    "pq_bytes",
                    f"PQ sub-quantisers ({pq_bytes}) must divide the dimension ({dim}).",
                    "E.g. 64 for 768 dimensions.",
                )
            per = w.step(
                "Bytes per vector (IVF-PQ)",
                f"{pq_bytes} code bytes + {ID_BYTES} id",
                pq_bytes + ID_BYTES,
                "bytes/vector",
            )
            w.step("Compression versus float32", f"{num(4 * dim)} / {num(per)}", 4 * dim / per, "x")
        centroids = w.step("Coarse centroids", f"{num(nlist)} x {dim} x 4", nlist * dim * 4, "bytes")
    one = w.step(
        "Index size",
        f"{num(vectors)} x {num(per)} + {bytes_text(centroids)}" if centroids else f"{num(vectors)} x {num(per)}",
        vectors * per + centroids,
        "bytes",
        name="index_bytes",
    )
    w.step("With replicas", f"{bytes_text(one)} x {replicas}", one * replicas, "bytes", name="total_bytes")
    if raw > 0 and kind == "ivf-pq":
        w.warnings.append(
            "IVF-PQ trades recall for memory: re-rank the top candidates with full vectors if recall matters."
        )
    return w.done()


def storage(
    *,
    items_per_day: float,
    bytes_per_item: float,
    retention_days: float,
    replication: int = 3,
    compression: float = 1.0,
) -> Estimate:
    """Logs and feature stores: items/day x bytes x retention days / compression x replicas."""
    positive("items_per_day", items_per_day)
    positive("bytes_per_item", bytes_per_item)
    positive("retention_days", retention_days)
    whole("replication", replication)
    if compression < 1:
        raise BadInput(
            "compression",
            f"'compression' is a ratio of at least 1 (got {compression}).",
            "1 = uncompressed, 4 = 4x smaller.",
        )
    w = Work(
        {
            "items_per_day": items_per_day,
            "bytes_per_item": bytes_per_item,
            "retention_days": retention_days,
            "replication": replication,
            "compression": compression,
        }
    )
    day = w.step(
        "Bytes per day",
        f"{num(items_per_day)} x {num(bytes_per_item)} bytes",
        items_per_day * bytes_per_item,
        "bytes",
        name="bytes_per_day",
    )
    kept = w.step(
        "Retained (compressed)",
        f"{bytes_text(day)} x {num(retention_days)} days / {num(compression)}",
        day * retention_days / compression,
        "bytes",
    )
    w.step(
        "Stored with replicas", f"{bytes_text(kept)} x {replication}", kept * replication, "bytes", name="stored_bytes"
    )
    return w.done()
