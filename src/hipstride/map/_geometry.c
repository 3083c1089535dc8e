/*
 * A route's points from its edge pieces, compiled.
 *
 * hipstride.map._geometry.route_points(...) is called by route_geometry in
 * hipstride/map/evaluate.py, which documents the method; _geometry.pyi gives the signature.
 * Each piece (edge, fraction from, fraction to) gives its start, the edge's shape points strictly
 * between its two ends in the direction run, and its end; the first point of every piece but the
 * first is the previous piece's last and is left out. The cumulative distance is the haversine
 * sum of NumPy's segment_lengths_m, in the same order of operations. Every buffer's length is
 * checked before anything is read (ValueError); the loop runs without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* the mean Earth radius of hipstride.track.geodesy.EARTH_RADIUS_M, metres */
#define EARTH_RADIUS_M 6371008.8

/* Releases the buffers an entry point parsed (those it got before an error included). */
static void release(Py_buffer *b, int count)
{
    for (int i = 0; i < count; i++)
        if (b[i].obj != NULL)
            PyBuffer_Release(&b[i]);
}

typedef struct {
    const int64_t *ptr;
    const double *offset, *lat, *lon, *elev;
} Shapes;

/* Position `at_m` along edge `e`: linear between the shape points around it (clamped). */
static void along(const Shapes *s, int64_t e, double at_m, double *lat, double *lon, double *elev)
{
    int64_t first = s->ptr[e], stop = s->ptr[e + 1];
    int64_t lo = first, hi = stop;              /* the last point whose offset is ≤ at_m */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (s->offset[mid] <= at_m)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t pos = lo - 1;
    int64_t top = stop - 2 > first ? stop - 2 : first;
    if (pos < first)
        pos = first;
    if (pos > top)
        pos = top;
    double span = s->offset[pos + 1] - s->offset[pos];
    double t = span > 0 ? (at_m - s->offset[pos]) / span : 0.0;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    *lat = s->lat[pos] + t * (s->lat[pos + 1] - s->lat[pos]);
    *lon = s->lon[pos] + t * (s->lon[pos + 1] - s->lon[pos]);
    *elev = s->elev[pos] + t * (s->elev[pos + 1] - s->elev[pos]);
}

static double haversine_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
    double lat1 = lat1_deg * (M_PI / 180.0), lat2 = lat2_deg * (M_PI / 180.0);
    double dlat = lat2 - lat1, dlon = (lon2_deg - lon1_deg) * (M_PI / 180.0);
    double s1 = sin(dlat / 2.0), s2 = sin(dlon / 2.0);
    double a = s1 * s1 + cos(lat1) * cos(lat2) * (s2 * s2);
    a = a < 0.0 ? 0.0 : (a > 1.0 ? 1.0 : a);
    double d = 2.0 * EARTH_RADIUS_M * asin(sqrt(a));
    return isnan(d) ? 0.0 : d;
}

/* The pieces (a list of (edge, fraction from, fraction to)) as three arrays; -1 on error. */
static int read_pieces(PyObject *list, Py_ssize_t count, int64_t *edges, double *f0, double *f1)
{
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(list, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_Format(PyExc_ValueError, "route_points: piece %zd is not (edge, from, to)", i);
            return -1;
        }
        PyObject *index = PyNumber_Index(PyTuple_GET_ITEM(item, 0));
        if (index == NULL)
            return -1;
        edges[i] = PyLong_AsLongLong(index);
        Py_DECREF(index);
        f0[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 1));
        f1[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 2));
        if (PyErr_Occurred())
            return -1;
    }
    return 0;
}

static PyObject *py_route_points(PyObject *self, PyObject *args)
{
    (void)self;
    enum { N_BUF = 7 };
    Py_buffer b[N_BUF];
    PyObject *pieces_in, *list = NULL, *result = NULL, *out[5] = {NULL, NULL, NULL, NULL, NULL};
    int64_t *edges = NULL;
    memset(b, 0, sizeof b);
    /* read: 0 edge_length 1 shape_ptr 2 shape_offset 3 shape_lat 4 shape_lon
     * 5 shape_elevation 6 edge_grade */
    if (!PyArg_ParseTuple(args, "Oy*y*y*y*y*y*y*", &pieces_in, &b[0], &b[1], &b[2], &b[3],
                          &b[4], &b[5], &b[6]))
        return NULL;
    Py_ssize_t n_edges = b[0].len / 8, n_shape = b[2].len / 8, pieces = 0;
    const char *bad = NULL;
    if (b[0].len != n_edges * 8 || b[1].len != (n_edges + 1) * 8 || b[6].len != n_edges * 8)
        bad = "edge tables";
    else if (b[2].len != n_shape * 8 || b[3].len != n_shape * 8 || b[4].len != n_shape * 8
             || b[5].len != n_shape * 8)
        bad = "shape tables";
    if (bad != NULL) {
        PyErr_Format(PyExc_ValueError, "route_points: %s do not match", bad);
        goto done;
    }
    list = PySequence_Fast(pieces_in, "route_points: pieces must be a sequence");
    if (list == NULL)
        goto done;
    pieces = PySequence_Fast_GET_SIZE(list);
    size_t room = (size_t)(pieces > 0 ? pieces : 1);
    edges = PyMem_Malloc(room * (sizeof(int64_t) + 2 * sizeof(double)));
    if (edges == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    double *f0 = (double *)(edges + pieces), *f1 = f0 + pieces;
    if (read_pieces(list, pieces, edges, f0, f1) != 0)
        goto done;
    const int64_t *ptr = b[1].buf;
    /* every piece's edge and its shape points must exist; room for every point */
    Py_ssize_t need = 1;
    for (Py_ssize_t i = 0; i < pieces; i++) {
        int64_t e = edges[i];
        if (e < 0 || e >= n_edges || ptr[e] < 0 || ptr[e + 1] > n_shape
            || ptr[e + 1] - ptr[e] < 2) {
            PyErr_Format(PyExc_ValueError, "route_points: the edge of piece %zd does not exist",
                         i);
            goto done;
        }
        need += (Py_ssize_t)(ptr[e + 1] - ptr[e]) + 1;
    }
    for (int k = 0; k < 5; k++) {
        out[k] = PyByteArray_FromStringAndSize(NULL, need * 8);
        if (out[k] == NULL)
            goto done;
    }
    const double *length = b[0].buf, *grade = b[6].buf;
    Shapes s = {ptr, b[2].buf, b[3].buf, b[4].buf, b[5].buf};
    double *lat = (double *)PyByteArray_AS_STRING(out[0]);
    double *lon = (double *)PyByteArray_AS_STRING(out[1]);
    double *elev = (double *)PyByteArray_AS_STRING(out[2]);
    double *dist = (double *)PyByteArray_AS_STRING(out[3]);
    int64_t *step_edge = (int64_t *)PyByteArray_AS_STRING(out[4]);
    Py_ssize_t count = 0;
    Py_BEGIN_ALLOW_THREADS
    /* step_edge[i] is the edge from point i to i + 1 (its piece's); dist[] holds each point's
     * piece direction (+1 forward, -1 backward) until the distances are written */
    for (Py_ssize_t i = 0; i < pieces; i++) {
        int64_t e = edges[i];
        double o0 = f0[i] * length[e], o1 = f1[i] * length[e];
        double lo = o0 < o1 ? o0 : o1, hi = o0 < o1 ? o1 : o0, sign = o1 >= o0 ? 1.0 : -1.0;
        if (i == 0) {
            along(&s, e, o0, &lat[count], &lon[count], &elev[count]);
            count++;
        }
        /* the shape points strictly inside, in the direction run */
        int64_t dir = o1 >= o0 ? 1 : -1;
        int64_t p_first = dir > 0 ? ptr[e] : ptr[e + 1] - 1;
        int64_t p_stop = dir > 0 ? ptr[e + 1] : ptr[e] - 1;
        for (int64_t p = p_first; p != p_stop; p += dir) {
            if (s.offset[p] > lo && s.offset[p] < hi) {
                lat[count] = s.lat[p];
                lon[count] = s.lon[p];
                elev[count] = s.elev[p];
                step_edge[count - 1] = e;
                dist[count - 1] = sign;
                count++;
            }
        }
        along(&s, e, o1, &lat[count], &lon[count], &elev[count]);
        step_edge[count - 1] = e;
        dist[count - 1] = sign;
        count++;
    }
    /* without elevation, integrate the edges' grades (incline tags) from 0 m, where any is known */
    int has_elevation = 0, has_grade = 0;
    for (Py_ssize_t i = 0; i < count && !has_elevation; i++)
        has_elevation = isfinite(elev[i]) != 0;
    for (Py_ssize_t i = 0; i + 1 < count && !has_elevation && !has_grade; i++)
        has_grade = isfinite(grade[step_edge[i]]) != 0;
    double total = 0.0, height = 0.0;
    for (Py_ssize_t i = 1; i < count; i++) {
        double sign = dist[i - 1];
        double step = haversine_m(lat[i - 1], lon[i - 1], lat[i], lon[i]);
        if (has_grade) {
            double g = grade[step_edge[i - 1]] * sign;
            g = isnan(g) ? 0.0 : (isinf(g) ? (g > 0 ? DBL_MAX : -DBL_MAX) : g);
            height += g / 100.0 * step;
            elev[i] = height;
        }
        dist[i - 1] = total;
        total += step;
    }
    if (count > 0)
        dist[count - 1] = total;
    if (has_grade)
        elev[0] = 0.0;
    Py_END_ALLOW_THREADS
    for (int k = 0; k < 4; k++)
        if (PyByteArray_Resize(out[k], count * 8) != 0)
            goto done;
    if (PyByteArray_Resize(out[4], (count > 0 ? count - 1 : 0) * 8) != 0)
        goto done;
    result = PyTuple_Pack(5, out[0], out[1], out[2], out[3], out[4]);
done:
    for (int k = 0; k < 5; k++)
        Py_XDECREF(out[k]);
    Py_XDECREF(list);
    PyMem_Free(edges);
    release(b, N_BUF);
    return result;
}

/* sample_edges(distance, at, step_edge, out): the edge under each sample at `at` metres along
 * a route whose points lie at `distance` (ascending), step i running from point i to i + 1: the
 * last step starting at or before the sample (np.searchsorted(..., side="right") - 1, clipped
 * to the steps); both series ascending, so one merge walk. */
static PyObject *py_sample_edges(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[4];
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*y*y*w*", &b[0], &b[1], &b[2], &b[3]))
        return NULL;
    Py_ssize_t points = b[0].len / 8, samples = b[1].len / 8, steps = b[2].len / 8;
    PyObject *result = NULL;
    if (b[0].len != points * 8 || b[1].len != samples * 8 || b[2].len != steps * 8
        || b[3].len != samples * 8 || steps < 1 || steps != points - 1) {
        PyErr_SetString(PyExc_ValueError,
                        "sample_edges: one step between each two points, one edge per sample");
        goto done;
    }
    const double *distance = b[0].buf, *at = b[1].buf;
    const int64_t *step_edge = b[2].buf;
    int64_t *out = b[3].buf;
    Py_ssize_t j = 0;                 /* the number of points at or before the sample */
    for (Py_ssize_t i = 0; i < samples; i++) {
        if (i > 0 && at[i] < at[i - 1])
            j = 0;
        while (j < points && distance[j] <= at[i])
            j++;
        Py_ssize_t step = j - 1 < 0 ? 0 : (j - 1 > steps - 1 ? steps - 1 : j - 1);
        out[i] = step_edge[step];
    }
    result = Py_NewRef(Py_None);
done:
    release(b, 4);
    return result;
}

/* edge_surface(edges, edge_class, edge_confidence, edge_label, labels, edge_way, way_osm_id,
 * unknown, off_label, classes, confidence) -> (raw labels, way ids): what the map says of the
 * surface under each sample on edge edges[i] (-1: off the network, class `unknown`, confidence
 * 0, label off_label), and the OSM ways along them, consecutive repeats collapsed (surfaces.py,
 * surface_for_edges). */
static PyObject *py_edge_surface(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[8];
    PyObject *labels, *off_label, *raw = NULL, *ways = NULL, *result = NULL;
    int unknown;
    memset(b, 0, sizeof b);
    /* read: 0 edges 1 edge_class 2 edge_confidence 3 edge_label 4 edge_way 5 way_osm_id;
     * written: 6 classes 7 confidence */
    if (!PyArg_ParseTuple(args, "y*y*y*y*O!y*y*iUw*w*", &b[0], &b[1], &b[2], &b[3],
                          &PyList_Type, &labels, &b[4], &b[5], &unknown, &off_label, &b[6],
                          &b[7]))
        return NULL;
    Py_ssize_t n = b[0].len / 8, n_edges = b[1].len, n_ways = b[5].len / 8;
    Py_ssize_t n_labels = PyList_GET_SIZE(labels);
    if (b[0].len != n * 8 || b[2].len != n_edges * 8 || b[3].len != n_edges * 8
        || b[4].len != n_edges * 8 || b[5].len != n_ways * 8 || b[6].len != n
        || b[7].len != n * 8) {
        PyErr_SetString(PyExc_ValueError, "edge_surface: tables or outputs do not match");
        goto done;
    }
    const int64_t *edges = b[0].buf, *edge_label = b[3].buf, *edge_way = b[4].buf;
    const int64_t *way_osm_id = b[5].buf;
    const int8_t *edge_class = b[1].buf;
    const double *edge_conf = b[2].buf;
    int8_t *classes = b[6].buf;
    double *confidence = b[7].buf;
    raw = PyList_New(n);
    ways = PyList_New(0);
    if (raw == NULL || ways == NULL)
        goto done;
    int64_t last_way = 0;
    int any_way = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t e = edges[i];
        PyObject *label = off_label;
        if (e >= n_edges) {
            PyErr_Format(PyExc_ValueError, "edge_surface: sample %zd on edge %lld, beyond the "
                         "map's edges", i, (long long)e);
            goto done;
        }
        if (e < 0) {
            classes[i] = (int8_t)unknown;
            confidence[i] = 0.0;
        } else {
            int64_t at = edge_label[e], w = edge_way[e];
            if (at < 0 || at >= n_labels || w < 0 || w >= n_ways) {
                PyErr_Format(PyExc_ValueError, "edge_surface: edge %lld has no label or way",
                             (long long)e);
                goto done;
            }
            classes[i] = edge_class[e];
            confidence[i] = edge_conf[e];
            label = PyList_GET_ITEM(labels, at);
            int64_t way = way_osm_id[w];
            if (!any_way || way != last_way) {
                PyObject *id = PyLong_FromLongLong((long long)way);
                if (id == NULL || PyList_Append(ways, id) != 0) {
                    Py_XDECREF(id);
                    goto done;
                }
                Py_DECREF(id);
                last_way = way;
                any_way = 1;
            }
        }
        Py_INCREF(label);
        PyList_SET_ITEM(raw, i, label);
    }
    result = PyTuple_Pack(2, raw, ways);
done:
    Py_XDECREF(raw);
    Py_XDECREF(ways);
    release(b, 8);
    return result;
}

/* nearest_segment(hits, piece_segment, x0, y0, x1, y1, x, y, radius) -> (segment, t, distance,
 * qx, qy) or None: of the segments under the pieces a k-d tree found near (x, y) (hits equal to
 * the number of pieces are misses), the one whose closest point is nearest, within radius; the
 * first of equals (spatial.py, SegmentIndex.nearest). */
static PyObject *py_nearest_segment(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[6];
    double x, y, radius;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*ddd", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                          &x, &y, &radius))
        return NULL;
    Py_ssize_t k = b[0].len / 8, pieces = b[1].len / 8, segments = b[2].len / 8;
    PyObject *result = NULL;
    if (b[0].len != k * 8 || b[1].len != pieces * 8 || b[3].len != segments * 8
        || b[4].len != segments * 8 || b[5].len != segments * 8) {
        PyErr_SetString(PyExc_ValueError, "nearest_segment: tables do not match");
        goto done;
    }
    const int64_t *hits = b[0].buf, *piece_segment = b[1].buf;
    const double *x0 = b[2].buf, *y0 = b[3].buf, *x1 = b[4].buf, *y1 = b[5].buf;
    Py_ssize_t best = -1;
    double best_d = INFINITY, best_t = 0.0, best_qx = 0.0, best_qy = 0.0;
    for (Py_ssize_t i = 0; i < k; i++) {
        int64_t h = hits[i];
        if (h < 0 || h >= pieces)               /* a miss of the k-d tree */
            continue;
        int64_t sg = piece_segment[h];
        if (sg < 0 || sg >= segments) {
            PyErr_SetString(PyExc_ValueError, "nearest_segment: a piece's segment does not exist");
            goto done;
        }
        double ax = x0[sg], ay = y0[sg], dx = x1[sg] - ax, dy = y1[sg] - ay;
        double den = dx * dx + dy * dy;
        double t = den > 0 ? ((x - ax) * dx + (y - ay) * dy) / den : 0.0;
        t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
        double qx = ax + t * dx, qy = ay + t * dy;
        double d = hypot(x - qx, y - qy);
        if (d <= radius && d < best_d) {
            best = (Py_ssize_t)sg;
            best_d = d;
            best_t = t;
            best_qx = qx;
            best_qy = qy;
        }
    }
    if (best < 0)
        result = Py_NewRef(Py_None);
    else
        result = Py_BuildValue("(ndddd)", best, best_t, best_d, best_qx, best_qy);
done:
    release(b, 6);
    return result;
}

static PyMethodDef methods[] = {
    {"route_points", py_route_points, METH_VARARGS, "A route's points from its edge pieces."},
    {"edge_surface", py_edge_surface, METH_VARARGS, "The map's surface under each sample."},
    {"nearest_segment", py_nearest_segment, METH_VARARGS, "The nearest of a few segments."},
    {"sample_edges", py_sample_edges, METH_VARARGS, "The edge under each sample of a route."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_geometry",
    "A route's points from its edge pieces (see hipstride.map.evaluate).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__geometry(void)
{
    return PyModule_Create(&module);
}
