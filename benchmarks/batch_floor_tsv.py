"""The floor for `dxcli kerboul - --format tsv` (every field): a plain Python loop written the way
batch_floor.py is written. It reads angles one a line, bands them at Ha 2006's cut-points (risk:
low <= 190, high >= 240; grade: 200, 250, 300), and writes the same TSV bytes dxcli writes, with
the band intervals, Ha's collapse intervals (lists and objects as JSON) and the two boundary notes typed in. The baseline of the full-row batch
benchmark; do not tune it."""
import sys

HEAD = ("line\tinput\tcombined_angle\tcoronal_angle\tsagittal_angle\trisk_group\trisk_label\trisk_interval\t"
        "group_hips\tgroup_collapsed\tgroup_collapse_ci\tgrade\tgrade_interval\tgrade_hips\tgrade_collapsed\t"
        "grade_collapse_ci\tcollapse\tnotes\n")
RISK = {  # list and object cells are compact JSON (dxcli's one cell encoding)
    "low": 'low\tLow risk\t{"low":0.0,"high":190.0,"low_closed":true,"high_closed":true}\t4\t0\t' + '{"low":0.0,"high":0.4898908364545973,"method":"Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count","count":0,"of":4}',
    "moderate": 'moderate\tModerate risk\t{"low":190.0,"high":240.0,"low_closed":false,"high_closed":false}\t8\t4\t' + '{"low":0.21521606221387757,"high":0.7847839377861224,"method":"Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count","count":4,"of":8}',
    "high": 'high\tHigh risk\t{"low":240.0,"high":360.0,"low_closed":true,"high_closed":true}\t25\t25\t' + '{"low":0.8668077490609515,"high":1.0,"method":"Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count","count":25,"of":25}',
}
COLLAPSE = {
    "low": "Low risk of femoral head collapse. In Ha 2006, none of the 4 hips collapsed.",
    "moderate": "Moderate risk of femoral head collapse. In Ha 2006, 4 of the 8 hips collapsed.",
    "high": "High risk of femoral head collapse. In Ha 2006, all 25 hips collapsed.",
}
GRADE = ['1\t{"low":0.0,"high":200.0,"low_closed":true,"high_closed":false}\t5\t0\t' + '{"low":0.0,"high":0.43448246478317476,"method":"Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count","count":0,"of":5}',
         '2\t{"low":200.0,"high":250.0,"low_closed":true,"high_closed":false}\t9\t6\t' + '{"low":0.3542021355803963,"high":0.879416181613089,"method":"Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count","count":6,"of":9}',
         '3\t{"low":250.0,"high":300.0,"low_closed":true,"high_closed":false}\t\t16\t',
         '4\t{"low":300.0,"high":360.0,"low_closed":true,"high_closed":true}\t\t7\t']
NOTES = {  # the notes cell: a JSON list of the boundary notes
    190.0: '["The review writes the low-risk group as \\"<190\\"; Ha 2006 defines it as 190 degrees or less. '
    "At exactly 190 degrees the review's wording would place the value in the moderate group; "
    'dxcli follows Ha 2006 and counts 190 as low risk."]',
    240.0: '["The review writes the high-risk group as \\">240\\"; Ha 2006 defines it as 240 degrees or more. '
    "At exactly 240 degrees the review's wording would place the value in the moderate group; "
    'dxcli follows Ha 2006 and counts 240 as high risk."]',
}


def main() -> None:
    memo = {}
    out = sys.stdout
    out.write(HEAD)
    n = 1
    readlines = sys.stdin.readlines
    while True:
        chunk = readlines(1 << 16)
        if not chunk:
            break
        parts = []
        for raw in chunk:
            s = memo.get(raw)
            if s is None:
                t = raw.strip()
                x = float(t)
                risk = "low" if x <= 190 else "moderate" if x < 240 else "high"
                grade = GRADE[0 if x < 200 else 1 if x < 250 else 2 if x < 300 else 3]
                shown = str(int(x)) if x == int(x) else repr(round(x, 6))
                s = memo[raw] = f"\t{t}\t{shown}\t\t\t{RISK[risk]}\t{grade}\t{COLLAPSE[risk]}\t{NOTES.get(x, '[]')}\n"
            parts.append(str(n))
            parts.append(s)
            n += 1
        out.write("".join(parts))


main()
