"""The project's own checkov policies for infra/ (checkov ships none for SCF, CAM or API Gateway).

Run: checkov -d infra --framework terraform --external-checks-dir infra/policies --skip-download
"""
