"""The suite's results as a Markdown table and PNG charts (matplotlib), read from its JSON only."""

from pathlib import Path

from . import cluster_home

PEER = "face_recognition (dlib)"
CHARTS = ("accuracy", "detection", "speed", "clustering")
COLOURS = {"photoface": "#2b6cb0", "peer": "#c05621", "peer_cnn": "#dd9b5c"}


def machine_line(suite: dict) -> str:
    m = suite["machine"]
    blas = "with BLAS" if m.get("dlib_blas") else "without BLAS (as the dlib-bin wheel is built)"
    return (f"Measured in one run on {m['cores']} cores ({m['cpu']}, {m['memory_gb']} GB, no GPU), "
            f"Python {m['python']}, torch {m['torch']}, dlib {m['dlib']} {blas}"
            + (" — quick subsets" if suite.get("quick") else "") + ".")


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def _faces(row: dict) -> str:
    return f"{row['matched']} / {row['true_faces']} ({100 * row['recall']:.0f} %)"


def _winner(ours: str, peer: str, ours_value: float, peer_value: float, higher_is_better: bool = True):
    """Both cells, the better one in bold (neither on a tie)."""
    if ours_value == peer_value:
        return ours, peer
    if (ours_value > peer_value) == higher_is_better:
        return f"**{ours}**", peer
    return ours, f"**{peer}**"


def markdown_table(suite: dict) -> str:
    rows = suite["rows"]
    lines = [f"| measure | photoface | {PEER} |", "|---|---|---|"]

    def add(what: str, ours: str, peer: str) -> None:
        lines.append(f"| {what} | {ours} | {peer} |")

    if "lfw" in rows:
        lfw = rows["lfw"]
        ours, peer = lfw["photoface"], lfw["peer"]
        add(f"LFW verification, {lfw['variant']} LFW, {lfw['pairs']:,} pairs, 10 folds: accuracy +- SE",
            *_winner(f"{_pct(ours['accuracy'])} +- {100 * ours['accuracy_se']:.2f}",
                     f"{_pct(peer['accuracy'])} +- {100 * peer['accuracy_se']:.2f}", ours["accuracy"], peer["accuracy"]))
        add("LFW accuracy at face_recognition's fixed distance 0.6", "", _pct(peer["accuracy_at_tolerance_0.6"]))
        add("LFW VAL @ FAR 0.1 %", *_winner(_pct(ours["val_at_far"]), _pct(peer["val_at_far"]),
                                             ours["val_at_far"], peer["val_at_far"]))
        add("LFW ROC AUC", *_winner(f"{ours['auc']:.4f}", f"{peer['auc']:.4f}", ours["auc"], peer["auc"]))
        add("LFW images where no face was found (scored on a centre crop)", str(ours["no_face_found"]),
            str(peer["no_face_found"]))
    if "detection" in rows:
        det = rows["detection"]
        cnn = det.get("peer_cnn")
        add("detection recall, dlib's hand-drawn boxes (IoU >= 0.4)", _faces(det["photoface"]),
            f"HOG {_faces(det['peer_hog'])}" + (f"; CNN {_faces(cnn)}" if cnn else ""))
        add("detection precision on those photos (unboxed faces count as false)",
            f"{100 * det['photoface']['precision']:.0f} % of {det['photoface']['found']}",
            f"HOG {100 * det['peer_hog']['precision']:.0f} % of {det['peer_hog']['found']}"
            + (f"; CNN {100 * cnn['precision']:.0f} % of {cnn['found']}" if cnn else ""))
        counts = det["photos_per_folder"]
        faceless = counts["nonfaces"] + counts["exif"] + 1
        add(f"faces found on {faceless} photos with no human face (cat, cup, 16 EXIF, dogs)",
            str(det["photoface"]["false_faces_on_faceless"]), str(det["peer_hog"]["false_faces_on_faceless"]))
        for folder in ("knn", "deepface"):
            add(f"faces found on `photos/{folder}` ({counts[folder]} photos)",
                str(det["photoface"]["faces_by_folder"][folder]), str(det["peer_hog"]["faces_by_folder"][folder]))
    if "speed" in rows:
        speed = rows["speed"]
        ours, peer = speed["photoface"], speed["peer"]
        add(f"indexing {speed['photos']} JPEGs of 12 MP, photos/s (faces/s)",
            *_winner(f"{ours['photos_per_s']:.2f} ({ours['faces_per_s']:.1f})",
                     f"{peer['photos_per_s']:.2f} ({peer['faces_per_s']:.1f}), {speed['peer_workers']} processes",
                     ours["photos_per_s"], peer["photos_per_s"]))
        add("indexing speed, photoface / peer", f"{speed['ratio_photos_per_s']:.1f}x", "1x")
        add("faces indexed; dlib boxes found at 12 MP", f"{ours['faces']}; {ours['dlib_boxes_recall'][0]} / {ours['dlib_boxes_recall'][1]}",
            f"{peer['faces']}; {peer['dlib_boxes_recall'][0]} / {peer['dlib_boxes_recall'][1]}")
        add("peak RSS while indexing (all processes)", *_winner(
            f"{ours['peak_rss_mb']:.0f} MB", f"{peer['peak_rss_mb']:.0f} MB", ours["peak_rss_mb"], peer["peak_rss_mb"], False))
        add("bytes stored per face: embedding (whole library file)",
            f"{ours['embedding_bytes_per_face']:.0f} ({ours['library_bytes_per_face'] / 1024:.1f} KiB, thumbnail included)",
            f"{peer['embedding_bytes_per_face']:.0f} (128 float64; no library of its own)")
    if "clustering" in rows:
        clu = rows["clustering"]
        for name, label in (("lfw", "LFW"), ("celeba_train", "celeba_train")):
            part = clu[name]
            ours, peer = part["photoface"], part["peer"]
            add(f"clustering {label} ({part['faces_scored']:,} faces both found, {part['people']:,} people): "
                f"pairwise F / BCubed F",
                *_winner(f"{ours['pairwise'][2]:.3f} / {ours['bcubed'][2]:.3f}",
                         f"{peer['pairwise'][2]:.3f} / {peer['bcubed'][2]:.3f} (Chinese whispers 0.5)",
                         ours["pairwise"][2] + ours["bcubed"][2], peer["pairwise"][2] + peer["bcubed"][2]))
    for name, part in rows.get("cluster_home", {}).items():
        if not isinstance(part, dict):
            continue  # measured_at, run_seconds
        ours, peer = part[cluster_home.at_level(0)], part[cluster_home.PEER]
        add(f"clustering home-like `{name}` ({part['faces_scored']:,} faces both found, {part['people_scored']:,} people): "
            f"pairwise F / BCubed F (BCubed P); tiles per person, mean / 90th pct.",
            *_winner(_home_cell(ours), _home_cell(peer) + f" ({cluster_home.PEER})",
                     ours["pairwise"][2] + ours["bcubed"][2], peer["pairwise"][2] + peer["bcubed"][2]))
    return "\n".join(lines)


def _home_cell(row: dict) -> str:
    return (f"{row['pairwise'][2]:.3f} / {row['bcubed'][2]:.3f} ({row['bcubed'][0]:.3f}); "
            f"{row['tiles_mean']:.2f} / {row['tiles_p90']:.0f}")


def chart_links(charts: list[Path], relative_to: Path) -> str:
    return " ".join(f"![{path.stem.removeprefix('performance-')}]({path.relative_to(relative_to)})" for path in charts)


def render(suite: dict, folder: Path) -> list[Path]:
    """One small PNG per measured row; returns the files written."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CHARTS:
        row = suite["rows"].get({"accuracy": "lfw"}.get(name, name))
        if row is None:
            continue
        figure, axes = plt.subplots(1, 2, figsize=(8, 3.2))
        {"accuracy": _accuracy, "detection": _detection, "speed": _speed, "clustering": _clustering}[name](row, axes)
        for ax in axes:
            ax.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        path = folder / f"performance-{name}.png"
        figure.savefig(path, dpi=90)
        plt.close(figure)
        written.append(path)
    return written


def _bars(ax, labels: list[str], series: dict[str, list[float]], errors: dict | None = None, fmt: str = "%.3g") -> None:
    width = 0.8 / len(series)
    for i, (system, values) in enumerate(series.items()):
        positions = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        bars = ax.bar(positions, values, width, label=system if system == "photoface" else
                      {"peer": PEER, "peer_cnn": f"{PEER}, CNN"}[system],
                      color=COLOURS[system], yerr=(errors or {}).get(system), capsize=3)
        ax.bar_label(bars, fmt=fmt, fontsize=7)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)


def _accuracy(row: dict, axes) -> None:
    ours, peer = row["photoface"], row["peer"]
    _bars(axes[0], ["accuracy %", "VAL @ FAR 0.1 %"],
          {"photoface": [100 * ours["accuracy"], 100 * ours["val_at_far"]],
           "peer": [100 * peer["accuracy"], 100 * peer["val_at_far"]]},
          {"photoface": [100 * ours["accuracy_se"], 0], "peer": [100 * peer["accuracy_se"], 0]}, fmt="%.2f")
    axes[0].set_ylim(80, 100.5)
    axes[0].set_title(f"LFW ({row['variant']}), 10 folds", fontsize=9)
    _bars(axes[1], ["ROC AUC"], {"photoface": [ours["auc"]], "peer": [peer["auc"]]}, fmt="%.4f")
    axes[1].set_ylim(0.98, 1.0)
    axes[1].legend(fontsize=7, loc="lower right")


def _detection(row: dict, axes) -> None:
    systems = {"photoface": row["photoface"], "peer": row["peer_hog"]}
    if row.get("peer_cnn"):
        systems["peer_cnn"] = row["peer_cnn"]
    _bars(axes[0], ["recall", "precision"], {s: [r["recall"], r["precision"]] for s, r in systems.items()})
    axes[0].set_ylim(0, 1.1)
    axes[0].set_title("dlib hand-drawn boxes, IoU >= 0.4", fontsize=9)
    folders = ["knn", "deepface", "nonfaces", "exif"]
    _bars(axes[1], folders, {s: [row[k]["faces_by_folder"][f] for f in folders]
                             for s, k in (("photoface", "photoface"), ("peer", "peer_hog"))})
    axes[1].set_title("faces found per shared folder (HOG)", fontsize=9)
    axes[1].legend(fontsize=7)


def _speed(row: dict, axes) -> None:
    ours, peer = row["photoface"], row["peer"]
    _bars(axes[0], ["photos/s", "faces/s"], {"photoface": [ours["photos_per_s"], ours["faces_per_s"]],
                                             "peer": [peer["photos_per_s"], peer["faces_per_s"]]})
    axes[0].set_title(f"indexing {row['photos']} JPEGs of 12 MP", fontsize=9)
    _bars(axes[1], ["peak RSS, MB"], {"photoface": [ours["peak_rss_mb"]], "peer": [peer["peak_rss_mb"]]})
    axes[1].legend(fontsize=7)


def _clustering(row: dict, axes) -> None:
    for ax, name in zip(axes, ("lfw", "celeba_train")):
        part = row[name]
        _bars(ax, ["pairwise F", "BCubed F"], {"photoface": part["photoface"]["pairwise"][2:] + part["photoface"]["bcubed"][2:],
                                                "peer": part["peer"]["pairwise"][2:] + part["peer"]["bcubed"][2:]})
        ax.set_ylim(0, 1.1)
        ax.set_title(f"clustering {name} ({part['faces_scored']:,} faces)", fontsize=9)
    axes[1].legend(fontsize=7, loc="lower right")
