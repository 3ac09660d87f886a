FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir '.[postgres]' gunicorn
ENV STATUSPAGE_INSTANCE_PATH=/data
EXPOSE 8080
# SQLite lives on the volume, which release machines do not mount: migrate at start.
CMD ["sh", "-c", "statuspage db upgrade && exec gunicorn --bind 0.0.0.0:8080 --workers 2 app:app"]
