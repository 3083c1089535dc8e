/*
 * The route search's compiled core: an exact A* over arcs, steered by landmark bounds.
 *
 * hipstride.map._astar.astar(...) is called by hipstride/map/_search.py, which documents the
 * method (module docstring) and prepares every argument from a SearchIndex; _astar.pyi gives
 * the signature. States are arcs, numbered in adjacency order (position j of the index's
 * adj_arc), so that the arcs leaving a node, which a settled arc relaxes together, lie side by
 * side in every array. The heuristic at an arc is the ALT lower bound of the cost from its head
 * to the goal (the best of a few landmark rows), which counts no turns and no penalties: it is
 * consistent, so the first leg no open state's key undercuts is the cheapest one.
 *
 * The work buffers are the index's own and are never cleared: a stamp per arc and per node
 * says which query wrote the value beside it, so a query touches only what it settles. Every
 * buffer's length is checked against the tables' sizes before the search runs; the GIL is
 * released during it (the caller holds the index's lock).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

/* ---- a binary heap of (key, arc) ---------------------------------------------------------- */

static inline Py_ssize_t heap_push(double *keys, int64_t *items, Py_ssize_t size, double key,
                                   int64_t item)
{
    Py_ssize_t i = size;
    while (i > 0) {
        Py_ssize_t parent = (i - 1) >> 1;
        if (keys[parent] <= key)
            break;
        keys[i] = keys[parent];
        items[i] = items[parent];
        i = parent;
    }
    keys[i] = key;
    items[i] = item;
    return size + 1;
}

static inline Py_ssize_t heap_pop(double *keys, int64_t *items, Py_ssize_t size)
{
    size -= 1;
    double key = keys[size];
    int64_t item = items[size];
    Py_ssize_t i = 0;
    for (;;) {
        Py_ssize_t child = 2 * i + 1;
        if (child >= size)
            break;
        if (child + 1 < size && keys[child + 1] < keys[child])
            child += 1;
        if (keys[child] >= key)
            break;
        keys[i] = keys[child];
        items[i] = items[child];
        i = child;
    }
    if (size > 0) {
        keys[i] = key;
        items[i] = item;
    }
    return size;
}

/* ---- the search --------------------------------------------------------------------------- */

/* What a query writes about an arc, side by side (one cache line holds two arcs): the query
 * that last reached it and the one that closed it, its cost so far and its predecessor. */
typedef struct {
    int64_t stamp, closed;
    double dist;
    int64_t pred;
} ArcWork;

/* The heuristic at a node, and the query that computed it. */
typedef struct {
    int64_t stamp;
    double h;
} NodeWork;

typedef struct {
    /* tables (read) */
    const int64_t *adj_ptr, *adj_head, *adj_edge, *turn_ptr, *rows, *starts, *g_tails, *g_arcs;
    const double *adj_cost, *turn_table, *goal_bounds, *start_cost, *g_extra;
    const float *node_bounds;
    const uint8_t *penalised;
    Py_ssize_t n_rows, n_cols, n_starts, n_goal, heap_capacity, compactions;
    int overflow;
    double factor;
    int64_t g_node, query;
    /* work buffers (written) */
    ArcWork *arcs;
    NodeWork *nodes;
    int64_t *heap_items, *out;
    double *heap_keys;
} Search;

/* Lower bound of the cost from node v to the goal: the best active landmark row, at least 0. */
static inline double bound(const Search *s, int64_t v)
{
    const float *at = s->node_bounds + v * s->n_cols;
    double best = 0.0;
    for (Py_ssize_t i = 0; i < s->n_rows; i++) {
        double value = s->goal_bounds[i] - (double)at[s->rows[i]];
        if (value > best)
            best = value;
    }
    return best;
}

static inline double heuristic(Search *s, int64_t v)
{
    NodeWork *w = &s->nodes[v];
    if (w->stamp != s->query) {
        w->stamp = s->query;
        w->h = bound(s, v);
    }
    return w->h;
}

/* Drops the heap entries that can no longer matter (closed arcs, and keys an arc's cost has
 * since undercut) and restores the heap: at most one entry per open arc is left. With the heap
 * a SearchIndex allocates, room for every turn, only reached when arcs were opened again, which
 * rounding makes rare; a smaller heap (tests) is compacted as often as it fills, and a search
 * whose open arcs alone fill it stops with MemoryError. */
static Py_ssize_t heap_compact(Search *s, Py_ssize_t size)
{
    s->compactions += 1;
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        int64_t a = s->heap_items[i];
        const ArcWork *w = &s->arcs[a];
        if (w->closed == s->query || s->heap_keys[i] != w->dist + heuristic(s, s->adj_head[a]))
            continue;
        s->heap_keys[kept] = s->heap_keys[i];
        s->heap_items[kept] = a;
        kept++;
    }
    Py_ssize_t rebuilt = 0;
    for (Py_ssize_t i = 0; i < kept; i++)
        rebuilt = heap_push(s->heap_keys, s->heap_items, rebuilt, s->heap_keys[i],
                            s->heap_items[i]);
    return rebuilt;
}

/* Runs the search; returns the number of full arcs written to out (-1: the leg known beforehand
 * stays the cheapest), with the cost, final arc and arcs settled through the pointers. */
static Py_ssize_t run(Search *s, double *best, int64_t *best_final, Py_ssize_t *settled)
{
    Py_ssize_t size = 0, count = 0;
    int64_t best_arc = -1;
    int found = 0, weighted = s->factor != 1.0;
    *settled = 0;
    for (Py_ssize_t i = 0; i < s->n_starts; i++) {
        int64_t a = s->starts[i];
        double d = s->start_cost[i];
        ArcWork *w = &s->arcs[a];
        if (w->stamp == s->query && w->dist <= d)
            continue;
        w->stamp = s->query;
        w->dist = d;
        w->pred = -1;
        size = heap_push(s->heap_keys, s->heap_items, size, d + heuristic(s, s->adj_head[a]), a);
    }
    while (size > 0) {
        double key = s->heap_keys[0];
        int64_t a = s->heap_items[0];
        size = heap_pop(s->heap_keys, s->heap_items, size);
        if (key >= *best)
            break;
        ArcWork *wa = &s->arcs[a];
        if (wa->closed == s->query)
            continue;
        wa->closed = s->query;
        *settled += 1;
        double d = wa->dist;
        int64_t u = s->adj_head[a], row = s->turn_ptr[a], first = s->adj_ptr[u];
        int64_t degree = s->adj_ptr[u + 1] - first;
        if (s->g_node >= 0) {
            if (u == s->g_node && d < *best) {
                *best = d;
                best_arc = a;
                *best_final = -1;
                found = 1;
            }
        } else {
            for (Py_ssize_t i = 0; i < s->n_goal; i++) {
                if (s->g_tails[i] != u)
                    continue;
                double value = d + s->turn_table[row + s->g_arcs[i] - first] + s->g_extra[i];
                if (value < *best) {
                    *best = value;
                    best_arc = a;
                    *best_final = s->g_arcs[i];
                    found = 1;
                }
            }
        }
        for (int64_t k = 0; k < degree; k++) {
            int64_t b = first + k;
            ArcWork *wb = &s->arcs[b];
            int closed = wb->closed == s->query;
            if (closed && !(d < wb->dist))        /* no cheaper way to b can start from a */
                continue;
            double c = s->adj_cost[b];
            if (weighted && s->penalised[s->adj_edge[b]])
                c *= s->factor;
            double nd = d + c + s->turn_table[row + k];
            if (wb->stamp != s->query || nd < wb->dist) {
                /* a closed arc reached more cheaply is opened again: the bounds, rounded to
                 * float32, may break consistency by a rounding, never admissibility */
                wb->closed = closed ? -1 : wb->closed;
                wb->stamp = s->query;
                wb->dist = nd;
                wb->pred = a;
                if (size == s->heap_capacity)
                    size = heap_compact(s, size);
                if (size == s->heap_capacity) {       /* every entry still needed: no room */
                    s->overflow = 1;
                    return -1;
                }
                size = heap_push(s->heap_keys, s->heap_items, size,
                                 nd + heuristic(s, s->adj_head[b]), b);
            }
        }
    }
    if (!found)
        return -1;
    for (int64_t a = best_arc; a >= 0; a = s->arcs[a].pred)
        s->out[count++] = a;
    for (Py_ssize_t i = 0, j = count - 1; i < j; i++, j--) {
        int64_t t = s->out[i];
        s->out[i] = s->out[j];
        s->out[j] = t;
    }
    return count;
}

/* ---- the Python entry point --------------------------------------------------------------- */

#define N_BUFFERS 20

static int check(int ok, const char *what)
{
    if (!ok)
        PyErr_Format(PyExc_ValueError, "astar: %s", what);
    return ok;
}

static PyObject *astar(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[N_BUFFERS];
    memset(b, 0, sizeof b);
    Search s;
    double best;
    long long best_final, g_node, query;
    Py_ssize_t n_cols;
    PyObject *result = NULL;
    /* read:  0 adj_ptr 1 adj_head 2 adj_cost 3 adj_edge 4 turn_ptr 5 turn_table 6 penalised
     *        7 node_bounds 8 rows 9 goal_bounds 10 starts 11 start_cost 12 g_tails 13 g_arcs
     *        14 g_extra; written: 15 arc_work 16 node_work 17 heap_keys 18 heap_items 19 out */
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*dy*ny*y*y*y*Ly*y*y*dLLw*w*w*w*w*",
                          &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &s.factor, &b[7],
                          &n_cols, &b[8], &b[9], &b[10], &b[11], &g_node, &b[12], &b[13],
                          &b[14], &best, &best_final, &query, &b[15], &b[16], &b[17], &b[18],
                          &b[19]))
        return NULL;
    Py_ssize_t n = b[0].len / 8 - 1, m = b[1].len / 8;
    s.adj_ptr = b[0].buf;
    s.adj_head = b[1].buf;
    s.adj_cost = b[2].buf;
    s.adj_edge = b[3].buf;
    s.turn_ptr = b[4].buf;
    s.turn_table = b[5].buf;
    s.penalised = b[6].buf;
    s.node_bounds = b[7].buf;
    s.rows = b[8].buf;
    s.goal_bounds = b[9].buf;
    s.starts = b[10].buf;
    s.start_cost = b[11].buf;
    s.g_tails = b[12].buf;
    s.g_arcs = b[13].buf;
    s.g_extra = b[14].buf;
    s.arcs = b[15].buf;
    s.nodes = b[16].buf;
    s.heap_keys = b[17].buf;
    s.heap_items = b[18].buf;
    s.out = b[19].buf;
    s.n_cols = n_cols;
    s.n_rows = b[8].len / 8;
    s.n_starts = b[10].len / 8;
    s.n_goal = b[12].len / 8;
    s.heap_capacity = b[17].len / 8;
    s.overflow = 0;
    s.compactions = 0;
    s.g_node = g_node;
    s.query = query;
    if (!check(n >= 0 && b[2].len == m * 8 && b[3].len == m * 8 && b[4].len == (m + 1) * 8,
               "adjacency tables of different lengths")
        || !check(b[5].len == s.turn_ptr[m] * 8, "turn table does not match its pointers")
        || !check(b[6].len * 2 >= m, "penalised edges shorter than the edges")
        || !check(n_cols >= 0 && b[7].len == n * n_cols * 4, "landmark bounds not n x columns")
        || !check(b[9].len == b[8].len && b[11].len == b[10].len, "rows or starts unpaired")
        || !check(b[13].len == b[12].len && b[14].len == b[12].len, "goal arrays unpaired")
        || !check(g_node < n, "goal node out of range")
        || !check(b[15].len == m * (Py_ssize_t)sizeof(ArcWork) && b[19].len == m * 8,
                  "arc buffers not one per arc")
        || !check(b[16].len == n * (Py_ssize_t)sizeof(NodeWork), "node buffers not one per node")
        || !check(b[17].len == b[18].len && b[17].len / 8 > s.n_starts,
                  "heap without room beyond the starts"))
        goto done;
    for (Py_ssize_t i = 0; i < s.n_rows; i++)
        if (!check(s.rows[i] >= 0 && s.rows[i] < n_cols, "landmark row out of range"))
            goto done;
    for (Py_ssize_t i = 0; i < s.n_starts; i++)
        if (!check(s.starts[i] >= 0 && s.starts[i] < m, "start arc out of range"))
            goto done;
    for (Py_ssize_t i = 0; i < s.n_goal; i++)
        if (!check(s.g_tails[i] >= 0 && s.g_tails[i] < n && s.g_arcs[i] >= s.adj_ptr[s.g_tails[i]]
                       && s.g_arcs[i] < s.adj_ptr[s.g_tails[i] + 1],
                   "goal arc does not leave its node"))
            goto done;
    {
        int64_t final = best_final;
        Py_ssize_t count, settled;
        Py_BEGIN_ALLOW_THREADS
        count = run(&s, &best, &final, &settled);
        Py_END_ALLOW_THREADS
        if (s.overflow)
            PyErr_SetString(PyExc_MemoryError, "astar: the heap is full of entries the search "
                                               "still needs (give it room for every turn)");
        else
            result = Py_BuildValue("(dnLnn)", best, count, (long long)final, settled,
                                   s.compactions);
    }
done:
    for (int i = 0; i < N_BUFFERS; i++)
        if (b[i].obj != NULL)
            PyBuffer_Release(&b[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"astar", astar, METH_VARARGS,
     "astar(adj_ptr, adj_head, adj_cost, adj_edge, turn_ptr, turn_table, penalised, factor, "
     "node_bounds, n_cols, rows, goal_bounds, starts, start_cost, g_node, g_tails, g_arcs, "
     "g_extra, best, best_final, query, arc_work, node_work, heap_keys, heap_items, out) "
     "-> (cost, count, final, settled, compactions)\n\n"
     "The cheapest leg on a SearchIndex's tables (see hipstride/map/_astar.pyi)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_astar",
    "The route search's compiled core: an exact A* over arcs (see hipstride.map._search).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__astar(void)
{
    return PyModule_Create(&module);
}
