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
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* the mean Earth radius of hipstride.track.geodesy.EARTH_RADIUS_M, metres */
#define EARTH_RADIUS_M 6371008.8

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

static PyObject *py_route_points(PyObject *self, PyObject *args)
{
    (void)self;
    enum { N_BUF = 14 };
    Py_buffer b[N_BUF];
    memset(b, 0, sizeof b);
    /* read: 0 edges 1 fraction_from 2 fraction_to 3 edge_length 4 shape_ptr 5 shape_offset
     * 6 shape_lat 7 shape_lon 8 shape_elevation; written: 9 lat 10 lon 11 elevation 12 piece
     * 13 distance */
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*y*w*w*w*w*w*", &b[0], &b[1], &b[2], &b[3],
                          &b[4], &b[5], &b[6], &b[7], &b[8], &b[9], &b[10], &b[11], &b[12],
                          &b[13]))
        return NULL;
    Py_ssize_t pieces = b[0].len / 8, n_edges = b[3].len / 8, n_shape = b[5].len / 8;
    Py_ssize_t cap = b[9].len / 8;
    PyObject *result = NULL;
    const char *bad = NULL;
    if (b[0].len != pieces * 8 || b[1].len != pieces * 8 || b[2].len != pieces * 8)
        bad = "pieces";
    else if (b[3].len != n_edges * 8 || b[4].len != (n_edges + 1) * 8)
        bad = "edge tables";
    else if (b[5].len != n_shape * 8 || b[6].len != n_shape * 8 || b[7].len != n_shape * 8
             || b[8].len != n_shape * 8)
        bad = "shape tables";
    else if (b[9].len != cap * 8 || b[10].len != cap * 8 || b[11].len != cap * 8
             || b[12].len != cap * 8 || b[13].len != cap * 8)
        bad = "outputs";
    const int64_t *edges = b[0].buf, *ptr = b[4].buf;
    if (bad == NULL) {
        /* every piece's edge and its shape points must exist, and the outputs must hold them */
        Py_ssize_t need = pieces ? 1 : 0;
        for (Py_ssize_t i = 0; i < pieces && bad == NULL; i++) {
            int64_t e = edges[i];
            if (e < 0 || e >= n_edges || ptr[e] < 0 || ptr[e + 1] > n_shape
                || ptr[e + 1] - ptr[e] < 2)
                bad = "an edge of the pieces";
            else
                need += (Py_ssize_t)(ptr[e + 1] - ptr[e]) + 1;
        }
        if (bad == NULL && need > cap)
            bad = "outputs (too short)";
    }
    if (bad != NULL) {
        PyErr_Format(PyExc_ValueError, "route_points: %s do not match", bad);
        goto done;
    }
    const double *f0 = b[1].buf, *f1 = b[2].buf, *length = b[3].buf;
    Shapes s = {ptr, b[5].buf, b[6].buf, b[7].buf, b[8].buf};
    double *lat = b[9].buf, *lon = b[10].buf, *elev = b[11].buf, *dist = b[13].buf;
    int64_t *piece = b[12].buf;
    Py_ssize_t count = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < pieces; i++) {
        int64_t e = edges[i];
        double o0 = f0[i] * length[e], o1 = f1[i] * length[e];
        double lo = o0 < o1 ? o0 : o1, hi = o0 < o1 ? o1 : o0;
        if (i == 0) {
            along(&s, e, o0, &lat[count], &lon[count], &elev[count]);
            piece[count++] = i;
        }
        if (o1 >= o0) {
            for (int64_t p = ptr[e]; p < ptr[e + 1]; p++) {
                if (s.offset[p] > lo && s.offset[p] < hi) {
                    lat[count] = s.lat[p];
                    lon[count] = s.lon[p];
                    elev[count] = s.elev[p];
                    piece[count++] = i;
                }
            }
        } else {
            for (int64_t p = ptr[e + 1] - 1; p >= ptr[e]; p--) {
                if (s.offset[p] > lo && s.offset[p] < hi) {
                    lat[count] = s.lat[p];
                    lon[count] = s.lon[p];
                    elev[count] = s.elev[p];
                    piece[count++] = i;
                }
            }
        }
        along(&s, e, o1, &lat[count], &lon[count], &elev[count]);
        piece[count++] = i;
    }
    if (count > 0)
        dist[0] = 0.0;
    for (Py_ssize_t i = 1; i < count; i++)
        dist[i] = dist[i - 1] + haversine_m(lat[i - 1], lon[i - 1], lat[i], lon[i]);
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(count);
done:
    for (int i = 0; i < N_BUF; i++)
        if (b[i].obj != NULL)
            PyBuffer_Release(&b[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"route_points", py_route_points, METH_VARARGS, "A route's points from its edge pieces."},
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
